// Each page records what the user did in window.state, so a test reads the outcome from the
// page's side (selenium), never from the grounder's answer. Keys:
//   value:ID    a text field's value          checked:ID  a checkbox's or radio's state
//   focus       the id of the focused element  events      activations in order ("submit", ...)
//   tab         the selected tab               dialog      "open" / "ok" / "cancel"
window.state = { focus: null, events: [] };
function record(name) { window.state.events.push(name); }
function fieldsOf(root) { return root.querySelectorAll("input, textarea, select"); }
document.addEventListener("DOMContentLoaded", () => {
  for (const el of fieldsOf(document)) {
    if (el.type === "checkbox" || el.type === "radio") {
      window.state["checked:" + el.id] = el.checked;
      el.addEventListener("change", () => {
        for (const other of fieldsOf(document)) {
          if (other.type === "checkbox" || other.type === "radio") {
            window.state["checked:" + other.id] = other.checked;
          }
        }
      });
    } else {
      window.state["value:" + el.id] = el.value;
      el.addEventListener("input", () => { window.state["value:" + el.id] = el.value; });
    }
  }
  // Buttons, links and tabs say what they are with data-event: a click records it.
  for (const el of document.querySelectorAll("[data-event]")) {
    el.addEventListener("click", (event) => {
      if (el.tagName === "A") event.preventDefault();  // stay on the page
      record(el.dataset.event);
    });
  }
  for (const form of document.querySelectorAll("form")) {
    form.addEventListener("submit", (event) => { event.preventDefault(); record("submit:" + form.id); });
  }
  document.addEventListener("focusin", (event) => { window.state.focus = event.target.id || event.target.tagName; });
  document.addEventListener("focusout", () => { window.state.focus = null; });
});
