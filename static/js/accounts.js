// Accounts list: select-all and the selected count for bulk actions.
(() => {
  const form = document.getElementById("bulk-form");
  if (!form) return;
  const boxes = () => [...form.querySelectorAll('input[name="account_ids"]')];
  const count = form.querySelector("[data-selected-count]");
  const refresh = () => { if (count) count.textContent = boxes().filter((b) => b.checked).length; };
  form.addEventListener("change", (event) => {
    if (event.target.matches("[data-select-all]")) boxes().forEach((b) => { b.checked = event.target.checked; });
    refresh();
  });
})();
