/*
 * Shows or hides the fields of a spec form (app/formspec) from their
 * data-show-if condition: {"other_field": ["value", ...], ...}, all entries
 * must match. Same rule as app/formspec/spec.py condition_holds: a hidden
 * field counts as empty for the fields below it. Without this script every
 * field stays visible and the server ignores answers to hidden fields.
 */
(function () {
  "use strict";

  function valuesOf(group) {
    var type = group.getAttribute("data-field-type");
    if (type === "checkbox") {
      var box = group.querySelector("input[type=checkbox]");
      return [box && box.checked ? "true" : "false"];
    }
    var values = [];
    group.querySelectorAll("input, select, textarea").forEach(function (element) {
      if (element.type === "radio" || element.type === "checkbox") {
        if (element.checked) { values.push(element.value); }
      } else if (element.type !== "file") {
        values.push(element.value.trim());
      }
    });
    if (type === "choice" && values.length === 0) { values.push(""); }
    return values;
  }

  function emptyValues(group) {
    var type = group.getAttribute("data-field-type");
    if (type === "checkbox") { return ["false"]; }
    return type === "multichoice" ? [] : [""];
  }

  function holds(condition, values) {
    return Object.keys(condition).every(function (name) {
      var accepted = condition[name];
      return (values[name] || [""]).some(function (value) { return accepted.indexOf(value) !== -1; });
    });
  }

  function update(form) {
    var values = {};
    // Document order is the spec's order; a condition only refers to fields above it.
    form.querySelectorAll("[data-field-name]").forEach(function (group) {
      var condition = group.getAttribute("data-show-if");
      var shown = true;
      if (condition) {
        try { shown = holds(JSON.parse(condition), values); } catch (error) { shown = true; }
      }
      group.hidden = !shown;
      values[group.getAttribute("data-field-name")] = shown ? valuesOf(group) : emptyValues(group);
    });
  }

  function init(form) {
    if (form.hasAttribute("data-show-if-ready")) { return; }
    form.setAttribute("data-show-if-ready", "");
    // "Only if …" notes help when every field shows; with this script they are noise.
    form.querySelectorAll("[data-show-if-note]").forEach(function (note) { note.hidden = true; });
    var refresh = function () { update(form); };
    form.addEventListener("change", refresh);
    form.addEventListener("input", refresh);
    refresh();
  }

  function start() { document.querySelectorAll("form[data-spec-form]").forEach(init); }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
