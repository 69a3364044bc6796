// Play editor: a step form shows only the fields of its channel. The form says which settings
// each channel uses (data-channel-settings, from campaigns.services.editing.CHANNEL_SETTINGS);
// every part that only some channels use carries data-setting. Hidden parts are also disabled,
// so the browser neither submits nor validates them (the server ignores them anyway).
(function () {
  "use strict";

  function settingsOf(form) {
    try {
      return JSON.parse(form.dataset.channelSettings || "{}");
    } catch (error) {
      return {};
    }
  }

  function show(element, visible) {
    element.hidden = !visible;
    element.querySelectorAll("input, select, textarea").forEach(function (input) {
      input.disabled = !visible;
    });
  }

  function apply(form) {
    var select = form.querySelector("select[name$='channel']");
    if (!select) return;
    var used = settingsOf(form)[select.value];
    if (!used) return;                         // unknown channel: leave every field as it is
    form.querySelectorAll("[data-setting]").forEach(function (part) {
      var setting = part.dataset.setting;
      var visible = setting === "no-audience" ? used.indexOf("audience_filter") === -1 : used.indexOf(setting) !== -1;
      show(part, visible);
    });
    // Notes that hold for some channels only: the channel settings' example, "(optional)".
    form.querySelectorAll("[data-channels]").forEach(function (note) {
      note.hidden = note.dataset.channels.split(" ").indexOf(select.value) === -1;
    });
    form.dataset.channel = select.value;
  }

  function applyAll(root) {
    (root || document).querySelectorAll("form[data-channel-settings]").forEach(apply);
  }

  document.addEventListener("change", function (event) {
    if (event.target.matches("form[data-channel-settings] select[name$='channel']")) {
      apply(event.target.form);
    }
  });
  // The step list is swapped in place by htmx after every add, edit or move.
  document.addEventListener("htmx:load", function (event) { applyAll(event.target); });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { applyAll(); });
  } else {
    applyAll();
  }
})();
