"""Every write to an evaluation goes through here: the admin, fixtures tooling, imports and
management commands share one path and one set of rules."""

from evaluations.models import Department, Evaluation, OrderedItem


def department_create(*, code: str, name: str, full_name: str) -> Department:
    department = Department(code=code, name=name, full_name=full_name)
    department.full_clean()
    department.save()
    return department


def evaluation_save(*, evaluation: Evaluation) -> Evaluation:
    """Validate (figures add up, no negative amounts, one evaluation per department and year)
    and save."""
    evaluation.full_clean()
    evaluation.save()
    return evaluation


def evaluation_item_save(*, item: OrderedItem) -> OrderedItem:
    item.full_clean()
    item.save()
    return item


def evaluation_item_delete(*, item: OrderedItem) -> None:
    item.delete()


def evaluation_create(*, department: Department, year: int, **fields: object) -> Evaluation:
    """Create an evaluation with its figures and narrative; lists are added with
    `evaluation_item_save`."""
    evaluation = Evaluation(department=department, year=year, **fields)
    return evaluation_save(evaluation=evaluation)
