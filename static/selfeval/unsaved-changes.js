// The evaluation page: nothing typed is lost without a question. Leaving the page (a link, the
// browser's back button, another form such as 退回修改 or 从上年复制) while the evaluation form
// holds unsaved edits asks first; saving it (保存, 保存并提交送审) does not. Links of the error
// summary put the cursor in the field they name.
// Loaded in the page's <head> (the admin's form media): it starts once the page is parsed.
document.addEventListener("DOMContentLoaded", function () {
  "use strict";
  const form = document.getElementById("evaluation_form");
  if (!form) {
    return;
  }
  const notice = document.getElementById("unsaved-notice");
  let dirty = false;
  let saving = false;

  function markDirty() {
    dirty = true;
    if (notice) {
      notice.hidden = false;
    }
  }

  form.addEventListener("input", markDirty);
  form.addEventListener("change", markDirty);
  // Rows added or removed by the admin's inlines.js.
  document.addEventListener("formset:added", markDirty);
  document.addEventListener("formset:removed", markDirty);
  // Buttons outside the form (form="evaluation_form") submit it too and fire this event.
  form.addEventListener("submit", function () {
    saving = true;
  });

  window.addEventListener("beforeunload", function (event) {
    if (dirty && !saving) {
      event.preventDefault();
      // Older browsers show the prompt only when returnValue is set.
      event.returnValue = "";
    }
  });

  const summary = document.getElementById("error-summary");
  if (summary) {
    summary.addEventListener("click", function (event) {
      const link = event.target.closest("a[href^='#']");
      const target = link && document.getElementById(link.getAttribute("href").slice(1));
      if (target && typeof target.focus === "function") {
        event.preventDefault();
        target.scrollIntoView({ block: "center" });
        target.focus({ preventScroll: true });
      }
    });
  }
});
