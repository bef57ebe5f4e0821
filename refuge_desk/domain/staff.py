from dataclasses import dataclass

from refuge_desk.domain.roles import Role


@dataclass(frozen=True, slots=True)
class StaffUser:
    id: int
    username: str
    full_name: str
    role: Role
    active: bool = True
