// Small progressive enhancements; every page works without them.
document.addEventListener("change", (event) => {
  const form = event.target.closest("form[data-autosubmit]");
  if (form) form.requestSubmit();
});
document.addEventListener("submit", (event) => {
  const message = event.target.dataset.confirm;
  if (message && !window.confirm(message)) event.preventDefault();
});
document.addEventListener("click", (event) => {
  const dismiss = event.target.closest("[data-dismiss]");
  if (dismiss) dismiss.parentElement.remove();
  const toggle = event.target.closest("[data-toggle-sidebar]");
  if (toggle) document.getElementById("sidebar").classList.toggle("open");
  const copy = event.target.closest("[data-copy]");
  if (copy) {
    const text = document.querySelector(copy.dataset.copy).textContent.trim();
    navigator.clipboard.writeText(text).then(() => { copy.textContent = "Copied"; });
  }
});
