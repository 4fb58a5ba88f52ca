"""The permissions of each role's group (see evaluations/access.py for what the roles mean)."""

from evaluations.access import GROUP_NAMES, Role

EVALUATION_PARTS = (
    "evaluations.departmentfunction",
    "evaluations.performancegoal",
    "evaluations.keytask",
    "evaluations.problem",
    "evaluations.improvementmeasure",
    "indicators.indicatorrow",
)
REFERENCE_DATA = (
    "evaluations.department",
    "indicators.indicatorframework",
    "indicators.primaryindicator",
    "indicators.secondaryindicator",
)
RECORDS = ("evaluations.reviewevent", "evaluations.approvedreport")


def _perms(models: tuple[str, ...], actions: tuple[str, ...]) -> set[str]:
    """'app.model' × ('view', 'add', …) → 'app.view_model', …"""
    result: set[str] = set()
    for label in models:
        app, model = label.split(".")
        result.update(f"{app}.{action}_{model}" for action in actions)
    return result


ROLE_PERMISSIONS: dict[Role, set[str]] = {
    Role.FILLER: (
        _perms(("evaluations.evaluation",), ("view", "add", "change"))
        | _perms(EVALUATION_PARTS, ("view", "add", "change", "delete"))
        | _perms(REFERENCE_DATA + RECORDS, ("view",))
        | {"evaluations.submit_evaluation"}
    ),
    Role.AUDITOR: (
        _perms(("evaluations.evaluation", *EVALUATION_PARTS, *REFERENCE_DATA, *RECORDS), ("view",))
        | {"evaluations.review_evaluation"}
    ),
    Role.ADMINISTRATOR: (
        _perms(
            ("evaluations.evaluation", *EVALUATION_PARTS, *REFERENCE_DATA),
            ("view", "add", "change", "delete"),
        )
        | _perms(RECORDS, ("view",))
        # Department accounts, their department included, only through the narrow account form
        # (evaluations/admin.py, AccountAdmin), which changes department accounts only. No
        # rights on groups or permissions: no way to raise anyone's powers, their own included.
        | _perms(("auth.user",), ("view", "add", "change"))
        | _perms(("evaluations.membership",), ("view",))
        | {"evaluations.submit_evaluation", "evaluations.review_evaluation"}
    ),
}

__all__ = ["GROUP_NAMES", "ROLE_PERMISSIONS", "Role"]
