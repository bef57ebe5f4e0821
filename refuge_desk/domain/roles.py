from enum import StrEnum


class Role(StrEnum):
    MANAGER = "manager"
    WORKER = "worker"
    VOLUNTEER = "volunteer"

    @property
    def label(self) -> str:
        return {
            Role.MANAGER: "Manager",
            Role.WORKER: "Support worker",
            Role.VOLUNTEER: "Relief / volunteer",
        }[self]

    @property
    def sees_case_detail(self) -> bool:
        """Full records, restricted fields (immigration, abuser, move-on) and notes."""
        return self in (Role.MANAGER, Role.WORKER)

    @property
    def edits_residents(self) -> bool:
        return self in (Role.MANAGER, Role.WORKER)

    @property
    def manages_staff(self) -> bool:
        return self is Role.MANAGER

    @property
    def manages_settings(self) -> bool:
        return self is Role.MANAGER

    @property
    def manages_rooms(self) -> bool:
        return self is Role.MANAGER
