// Small progressive enhancements; every page works without them.
document.addEventListener("change", (event) => {
  const form = event.target.closest("form[data-autosubmit]");
  if (form) form.requestSubmit();
});
document.addEventListener("submit", (event) => {
  const message = event.target.dataset.confirm;
  if (message && !window.confirm(message)) event.preventDefault();
});

// The sidebar slides in on narrow screens; a click outside it or Escape closes it.
function setSidebar(open) {
  const sidebar = document.getElementById("sidebar");
  if (!sidebar) return;
  sidebar.classList.toggle("open", open);
  document.querySelectorAll("[data-toggle-sidebar]").forEach((b) => b.setAttribute("aria-expanded", String(open)));
}
document.addEventListener("keydown", (event) => {
  if (event.key === "Escape") setSidebar(false);
});

document.addEventListener("click", (event) => {
  const dismiss = event.target.closest("[data-dismiss]");
  if (dismiss) dismiss.parentElement.remove();
  const sidebar = document.getElementById("sidebar");
  const toggle = event.target.closest("[data-toggle-sidebar]");
  if (toggle) setSidebar(!sidebar.classList.contains("open"));
  else if (sidebar && sidebar.classList.contains("open") && !event.target.closest("#sidebar")) setSidebar(false);
  const copy = event.target.closest("[data-copy]");
  if (copy) {
    const text = document.querySelector(copy.dataset.copy).textContent.trim();
    const done = () => { copy.textContent = "Copied"; };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done);
    } else {
      // Plain-HTTP deployments have no clipboard API: select the text for Ctrl+C instead.
      const range = document.createRange();
      range.selectNodeContents(document.querySelector(copy.dataset.copy));
      const selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      copy.textContent = document.execCommand && document.execCommand("copy") ? "Copied" : "Press Ctrl+C";
    }
  }
});
