; Inno Setup 6 script: a per-user installer for the Windows bundle built by
; packaging/build_bundle.py (dist\BranchDesk). No administrator rights are asked for.
;   iscc /DAppVersion=0.1.0 packaging\windows\branchdesk.iss
; writes dist\BranchDesk-<version>-setup.exe.
;
; The user's data (databases, backups, settings, the log) lives apart from the program, in
; %LOCALAPPDATA%\BranchDesk (platformdirs; see branchdesk/settings.py). This installer never
; puts anything there, so uninstalling leaves it alone: there is deliberately no
; [UninstallDelete] section. Only the files installed into {app} are removed.

#ifndef AppVersion
  #define AppVersion "0.0.0"
#endif
#ifndef BundleDir
  #define BundleDir "..\..\dist\BranchDesk"
#endif
; Made from the application icon's PNGs by packaging/branchdesk.spec.
#ifndef IconFile
  #define IconFile "..\..\build\branchdesk\icons\branchdesk.ico"
#endif
#define AppName "BranchDesk"
#define GuiExe "branchdesk-gui.exe"

[Setup]
; The AppId ties upgrades and the uninstaller to earlier installs: never change it.
AppId={{3D0309DF-F59C-4B3F-A93B-717731F3AF74}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=BranchDesk contributors
; Per-user: with lowest privileges {autopf} is %LOCALAPPDATA%\Programs and the Start menu
; and desktop entries are the user's own.
PrivilegesRequired=lowest
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir=..\..\dist
OutputBaseFilename={#AppName}-{#AppVersion}-setup
SetupIconFile={#IconFile}
UninstallDisplayIcon={app}\{#GuiExe}
UninstallDisplayName={#AppName}
Compression=lzma2
SolidCompression=yes
WizardStyle=modern
; The program must not be running while its files are replaced or removed.
CloseApplications=yes

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Messages]
ConfirmUninstall=Remove %1 from this computer?%n%nYour databases, backups and settings are kept, in AppData\Local\BranchDesk in your user folder. Delete that folder yourself if nobody needs them any more.

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[InstallDelete]
; An upgrade replaces the bundle's libraries whole: files of an older version (a Qt plugin, a
; Python module since dropped) must not stay behind to be loaded by the new one. Only the
; program's own folder; the data is elsewhere.
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "{#BundleDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#GuiExe}"; WorkingDir: "{app}"; Comment: "Casework, negotiating demands, outsourcing watch and hardship fund"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#GuiExe}"; WorkingDir: "{app}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#GuiExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent
