"""What the build of a bundle tells observers; it decides nothing (the page polls the database).
Tests listen to watch the progress as it is saved, or to slow a build down before killing it."""

from django.dispatch import Signal

# Sent after each department's files are written into the ZIP and the progress is saved;
# keyword arguments `bundle_id`, `done`, `total`.
department_written = Signal()
