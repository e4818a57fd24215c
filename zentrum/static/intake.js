/* The intake form, faster with script: family members are added without a reload,
   and a person already known is pointed out as soon as name and birth date are typed.
   Without script the form works as before (the server adds rows and asks on saving). */
(function () {
  "use strict";

  var form = document.querySelector("form.intake");
  if (!form) { return; }
  var addButton = form.querySelector("button[name='add_member'], input[name='add_member']");
  var saveButton = form.querySelector("[name='save']:not([value='1'])") || form.querySelector("[name='save']");

  /* ---- family members ---- */
  var members = document.getElementById("members");
  var template = document.getElementById("member-template");

  function rowCount() {
    return members.querySelectorAll("fieldset.member").length;
  }

  function renumber(node, index) {
    ["id", "name", "for", "aria-describedby"].forEach(function (attr) {
      node.querySelectorAll("[" + attr + "]").forEach(function (el) {
        el.setAttribute(attr, el.getAttribute(attr).split("__i__").join(String(index)));
      });
    });
  }

  function addMember() {
    var index = rowCount();
    var max = parseInt(members.getAttribute("data-max"), 10);
    if (index >= max) { return; }
    var row = template.content.firstElementChild.cloneNode(true);
    renumber(row, index);
    var legend = row.querySelector("legend");
    legend.textContent = legend.textContent.replace(/\d+/, String(index + 1));
    var empty = document.getElementById("no-members");
    if (empty) { empty.remove(); }
    members.appendChild(row);
    if (index + 1 >= max) { addButton.hidden = true; }
    row.querySelector("input").focus();
  }

  if (addButton && members && template && "content" in template) {
    addButton.addEventListener("click", function (event) {
      event.preventDefault();
      addMember();
    });
  }

  /* Enter in a field saves the enquiry, as in any form; without this the browser would
     press the form's first button, which adds a family member. */
  form.addEventListener("keydown", function (event) {
    var el = event.target;
    if (event.key !== "Enter" || el.tagName !== "INPUT") { return; }
    if (["submit", "button", "image", "reset"].indexOf(el.type) !== -1) { return; }
    event.preventDefault();
    if (saveButton && form.requestSubmit) { form.requestSubmit(saveButton); }
  });

  /* ---- a person already known ---- */
  var hint = document.getElementById("duplicate-hint");
  var first = document.getElementById("first_name");
  var last = document.getElementById("last_name");
  var born = document.getElementById("birth_date");
  if (!hint || !first || !last || !born || !window.fetch) { return; }
  var timer = null;
  var asked = "";

  /* The hint moves the form below it. Shown while a mouse button or finger is down, it
     would put another element under the pointer, and the click (a topic ticked, the
     save button) would land on something else or come to nothing: an answer that
     arrives then is shown once the pointer is lifted and its click is done. */
  var pressed = false;
  var held = null;
  document.addEventListener("pointerdown", function () { pressed = true; }, true);
  function lifted() {
    pressed = false;
    if (held) {
      var persons = held;
      held = null;
      setTimeout(function () { show(persons); }, 0);
    }
  }
  document.addEventListener("pointerup", lifted, true);
  document.addEventListener("pointercancel", lifted, true);

  function display(persons) {
    if (pressed) { held = persons; } else { held = null; show(persons); }
  }

  function show(persons) {
    hint.replaceChildren();
    if (!persons.length) { return; }
    var heading = document.createElement("p");
    heading.className = "live-hint__heading";
    heading.textContent = hint.getAttribute("data-heading");
    var list = document.createElement("ul");
    persons.forEach(function (p) {
      var item = document.createElement("li");
      item.textContent = hint.getAttribute("data-item")
        .replace("{name}", p.name)
        .replace("{date}", p.birth_date)
        .replace("{ref}", p.reference || "–");
      list.appendChild(item);
    });
    var note = document.createElement("p");
    note.textContent = hint.getAttribute("data-note");
    hint.append(heading, list, note);
  }

  function ask() {
    var query = new URLSearchParams({
      vorname: first.value.trim(),
      nachname: last.value.trim(),
      geburtsdatum: born.value
    }).toString();
    if (!first.value.trim() || !last.value.trim() || !/^\d{4}-\d{2}-\d{2}$/.test(born.value)) {
      asked = "";
      display([]);
      return;
    }
    if (query === asked) { return; }
    asked = query;
    fetch(hint.getAttribute("data-url") + "?" + query, {
      credentials: "same-origin",
      headers: { "Accept": "application/json" }
    }).then(function (response) {
      return response.ok ? response.json() : { persons: [] };
    }).then(function (data) {
      if (query === asked) { display(data.persons || []); }
    }).catch(function () { /* the server asks again on saving */ });
  }

  [first, last, born].forEach(function (el) {
    el.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(ask, 250);
    });
    el.addEventListener("change", ask);
  });
  ask();
})();
