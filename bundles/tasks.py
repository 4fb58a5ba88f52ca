"""The background tasks, through Django's tasks framework (django-tasks, its backport for
Django 5.2; on Django 6 the import becomes `django.tasks`). The backend is settings.TASKS:
the database backend by default (`manage.py db_worker` runs them), RQ on larger sites. Each
task is idempotent: it claims its bundle or part first and returns if it cannot.

The services enqueue these tasks and the tasks call the services: each task imports them when
it runs, which breaks the cycle (the worker has loaded every app by then)."""

from django_tasks import task


@task()
def build_bundle(bundle_id: int) -> None:
    from bundles import services

    services.bundle_build(bundle_id=bundle_id)


@task()
def render_bundle_part(part_id: int) -> None:
    from bundles import services

    services.bundle_part_render(part_id=part_id)
