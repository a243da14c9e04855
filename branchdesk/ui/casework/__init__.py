"""The Casework tab: cases, deadlines due and the member register."""
