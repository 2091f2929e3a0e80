from autotrade.core.errors import AppError, Conflict, NotAuthenticated, PermissionDenied


class InvalidCredentials(NotAuthenticated):
    code = "invalid_credentials"
    title = "Email or password is wrong"
    commit = True  # the failure count is the write


class AccountLocked(AppError):
    status = 423
    code = "account_locked"
    title = "Account locked after repeated failed logins"
    commit = True


class AccountDisabled(NotAuthenticated):
    code = "account_disabled"
    title = "This account is disabled"


class EmailTaken(Conflict):
    code = "email_taken"
    title = "A user with this email already exists"


class RoleNotAssignable(PermissionDenied):
    code = "role_not_assignable"
    title = "You cannot grant permissions you do not hold"


class RefreshTokenReused(NotAuthenticated):
    code = "refresh_token_reused"
    title = "Refresh token already used; every session of this user was revoked"
    commit = True  # the revocation must stick
