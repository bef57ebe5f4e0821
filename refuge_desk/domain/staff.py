from dataclasses import dataclass

from refuge_desk.domain.roles import Role
from refuge_desk.domain.text import hidden_characters

MAX_USERNAME = 64


@dataclass(frozen=True, slots=True)
class StaffUser:
    id: int
    username: str
    full_name: str
    role: Role
    active: bool = True


def validate_username(username: str) -> list[str]:
    u = username.strip()
    if not u:
        return ["User name is required."]
    if len(u) > MAX_USERNAME:
        return [f"User name is too long (at most {MAX_USERNAME} characters)."]
    if any(ch.isspace() for ch in u):
        return ["User name cannot contain spaces."]
    if hidden_characters(u):
        return ["User name cannot contain invisible or control characters; type it again."]
    return []
