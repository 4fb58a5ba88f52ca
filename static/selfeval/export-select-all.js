// The export page's "select all" box (templates/admin/import_export/export.html), wired here
// because the Content-Security-Policy refuses inline event handlers. onSelectToggleChange is
// django-import-export's own (import_export/export_selectable_fields.js, in the form's media).
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  for (const toggle of document.querySelectorAll("input.select-toggle")) {
    toggle.addEventListener("change", onSelectToggleChange);
  }
});
