// The "全选" box of the bundle page (templates/admin/bundles/bundle/new.html): checks or clears
// every department, and follows the departments' boxes. Hidden without script. A static file
// because the Content-Security-Policy refuses inline scripts.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const all = document.getElementById("bundle-select-all");
  const list = document.getElementById("bundle-departments");
  if (!all || !list) {
    return;
  }
  const boxes = () => list.querySelectorAll("input[type=checkbox]");
  const follow = () => {
    const checked = Array.from(boxes()).filter((box) => box.checked).length;
    all.checked = checked === boxes().length;
    all.indeterminate = checked > 0 && checked < boxes().length;
  };
  all.addEventListener("change", () => {
    for (const box of boxes()) {
      box.checked = all.checked;
    }
    follow();
  });
  list.addEventListener("change", follow);
  all.closest("[hidden]").hidden = false;
  follow();
});
