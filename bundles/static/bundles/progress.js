// The bundle's progress page (templates/admin/bundles/bundle/progress.html): polls the JSON at
// data-progress-url once a second, moves the <progress> bar and the counts, and shows the
// download link when the ZIP is finished or the reason when it failed. A static file because
// the Content-Security-Policy refuses inline scripts.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const page = document.querySelector("[data-progress-url]");
  if (!page) {
    return;
  }
  const url = page.dataset.progressUrl;
  const byId = (id) => document.getElementById(id);
  const INTERVAL_MS = 1000;

  function show(data) {
    const bar = byId("bundle-progress-bar");
    bar.max = Math.max(data.total, 1);
    bar.value = data.done;
    bar.textContent = `${data.percent}%`;
    byId("bundle-done").textContent = data.done;
    byId("bundle-total").textContent = data.total;
    byId("bundle-remaining").textContent = data.remaining_text;
    byId("bundle-status").textContent = data.status_label;
    if (data.finished) {
      byId("bundle-download-link").href = data.download_url;
      byId("bundle-size").textContent = data.size_text;
      byId("bundle-download").hidden = false;
    }
    if (data.failed) {
      byId("bundle-error-text").textContent = data.error;
      byId("bundle-error").hidden = false;
    }
  }

  async function poll() {
    try {
      const response = await fetch(url, { headers: { Accept: "application/json" }, cache: "no-store" });
      if (response.ok) {
        const data = await response.json();
        show(data);
        if (data.finished || data.failed) {
          return;
        }
      }
    } catch (error) {
      // The server is restarting or the network dropped: try again at the next tick.
    }
    window.setTimeout(poll, INTERVAL_MS);
  }

  poll();
});
