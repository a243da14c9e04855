"""Every table BranchDesk has, gathered for migrations and tests."""

from branchdesk.access import models as _access  # noqa: F401
from branchdesk.casework import models as _casework  # noqa: F401
from branchdesk.demands import models as _demands  # noqa: F401
from branchdesk.hardship import models as _hardship  # noqa: F401
from branchdesk.members import models as _members  # noqa: F401
from branchdesk.outsourcing import models as _outsourcing  # noqa: F401
from branchdesk.privacy import models as _privacy  # noqa: F401
from branchdesk.store import audit as _audit  # noqa: F401
from branchdesk.store.base import Base

metadata = Base.metadata
