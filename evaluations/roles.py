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
            (
                "evaluations.evaluation",
                *EVALUATION_PARTS,
                *REFERENCE_DATA,
                "evaluations.membership",
            ),
            ("view", "add", "change", "delete"),
        )
        | _perms(RECORDS, ("view",))
        | _perms(("auth.user", "auth.group"), ("view", "add", "change"))
        | {"evaluations.submit_evaluation", "evaluations.review_evaluation"}
    ),
}

__all__ = ["GROUP_NAMES", "ROLE_PERMISSIONS", "Role"]
