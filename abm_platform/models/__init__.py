from abm_platform.models.api_keys import ApiKey, ApiKeyScope
from abm_platform.models.jobs import Job, JobStatus
from abm_platform.models.users import User
from abm_platform.models.workspaces import Membership, Workspace

__all__ = ["ApiKey", "ApiKeyScope", "Job", "JobStatus", "Membership", "User", "Workspace"]
