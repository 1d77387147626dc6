// Nothing typed is lost by leaving a page by accident. A <form data-warn-unsaved> warns before the page is left
// (beforeunload) while one of its fields differs from what the page was served with, or while the server marked
// part of it [data-unsaved] (values shown again after a refused save). Submitting that form itself is no
// accident, so it does not warn; leaving by another form or a link does. The server keeps every typed value on
// a refusal whether or not this runs: this script only adds the warning.
// Also: Enter in a field inside [data-enter-clicks="selector"] clicks that button (a row's own Save), rather
// than the form's first button.
(function () {
  "use strict";
  var leavingBy = null;

  function changed(field) {
    if (field.disabled || !field.name) {
      return false;
    }
    if (field.type === "checkbox" || field.type === "radio") {
      return field.checked !== field.defaultChecked;
    }
    if (field.tagName === "SELECT") {
      for (var i = 0; i < field.options.length; i++) {
        var option = field.options[i];
        // A select with no option marked `selected` in the page shows its first one.
        var initially = option.defaultSelected || (i === 0 && !field.querySelector("option[selected]") && !field.multiple);
        if (option.selected !== initially) {
          return true;
        }
      }
      return false;
    }
    if (field.type === "hidden" || field.type === "file" || field.type === "submit" || field.type === "button") {
      return field.type === "file" && field.files && field.files.length > 0;
    }
    return field.value !== field.defaultValue;
  }

  function unsaved(form) {
    if (form.hasAttribute("data-unsaved") || form.querySelector("[data-unsaved]")) {
      return true;
    }
    for (var i = 0; i < form.elements.length; i++) {
      if (changed(form.elements[i])) {
        return true;
      }
    }
    return false;
  }

  document.addEventListener("input", function (event) {
    var form = event.target.form;
    if (form && form.hasAttribute("data-warn-unsaved")) {
      form.setAttribute("data-dirty", "");
    }
  });

  document.addEventListener("submit", function (event) {
    if (!event.defaultPrevented) {
      leavingBy = event.target;
    }
  });

  window.addEventListener("pageshow", function () {
    leavingBy = null;
  });

  window.addEventListener("beforeunload", function (event) {
    var forms = document.querySelectorAll("form[data-warn-unsaved]");
    for (var i = 0; i < forms.length; i++) {
      if (forms[i] !== leavingBy && unsaved(forms[i])) {
        event.preventDefault();
        event.returnValue = ""; // older browsers need a value to show their own question
        return "";
      }
    }
    return undefined;
  });

  // An htmx answer that replaces a whole section (say "#objectives" after "Add objective") would also replace
  // the other forms in it, and what was typed in them. Their typed values are carried into the new section's
  // forms of the same action, still marked as unsaved. The form that was sent gets the server's answer.
  var carried = null;

  function typedValues(form) {
    var values = [];
    for (var i = 0; i < form.elements.length; i++) {
      var field = form.elements[i];
      if (changed(field) && field.type !== "file") {
        values.push({
          name: field.name,
          value: field.value,
          checked: field.checked,
          selected: field.tagName === "SELECT" ? Array.prototype.map.call(field.selectedOptions, function (o) { return o.value; }) : null
        });
      }
    }
    return values;
  }

  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    var sender = event.detail.requestConfig && event.detail.requestConfig.elt;
    var sent = sender && (sender.tagName === "FORM" ? sender : sender.form);
    carried = [];
    if (!target || !target.querySelectorAll) {
      return;
    }
    var forms = target.tagName === "FORM" ? [target] : target.querySelectorAll("form");
    var active = document.activeElement;
    for (var i = 0; i < forms.length; i++) {
      if (forms[i] !== sent && forms[i].getAttribute("action")) {
        var values = typedValues(forms[i]);
        var details = forms[i].closest("details");
        // The field being typed in keeps the focus and the caret (typing goes on into the new section) and a
        // panel held open stays open (fresh tester, issue 10: the rest of a sentence went to the page).
        var focus = active && active.form === forms[i] && active.name ? {
          name: active.name,
          start: typeof active.selectionStart === "number" ? active.selectionStart : null,
          end: typeof active.selectionEnd === "number" ? active.selectionEnd : null
        } : null;
        if (values.length || focus || (details && details.open)) {
          carried.push({ action: forms[i].getAttribute("action"), values: values, focus: focus, open: !!(details && details.open) });
        }
      }
    }
  });

  // The part of a form that was sent takes no input until its answer is in (inert, and aria-busy for assistive
  // technology): its answer replaces it, so what was typed in it meanwhile would go unsaved, and htmx drops a second
  // send while the first is on its way (fresh tester, issue 10: a second Save on a slow link was lost with its
  // note). The part is the form, or the row an entry page saves by itself inside its one form (the row is the
  // answer's target): the other rows take input meanwhile.
  function busyPart(event) {
    var detail = event.detail || {}, elt = detail.elt, target = detail.target;
    var form = elt && (elt.tagName === "FORM" ? elt : elt.form);
    if (!form) {
      return null;
    }
    if (target && target !== form && form.contains(target) && target.contains(elt)) {
      return target;
    }
    return form;
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    var part = busyPart(event);
    if (part && !event.defaultPrevented) { // prevented: offline.js keeps the row on this device instead
      part.inert = true;
      part.setAttribute("aria-busy", "true");
    }
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    var part = busyPart(event);
    if (part) { // still on the page when nothing replaced it (an error, no connection): typing goes on there
      part.inert = false;
      part.removeAttribute("aria-busy");
    }
  });

  // A save that did not go through says so: htmx swaps nothing in then, and the form looked as if it had worked
  // (fresh tester, issue 10). The texts come translated with the page's message list (core/includes/messages.html).
  // The results entry page keeps a row it could not send on the device and says so itself (offline.js).
  function notSaved(event, key) {
    var part = busyPart(event), messages = document.getElementById("messages");
    if (!part || !messages || part.closest("[data-offline]")) {
      return;
    }
    var item = document.createElement("li");
    item.className = "error";
    item.setAttribute("role", "alert");
    item.textContent = messages.getAttribute(key);
    var list = document.createElement("ul");
    list.className = "messages";
    list.appendChild(item);
    messages.replaceChildren(list);
  }

  document.addEventListener("htmx:sendError", function (event) { notSaved(event, "data-not-sent"); });
  document.addEventListener("htmx:timeout", function (event) { notSaved(event, "data-not-sent"); });
  document.addEventListener("htmx:responseError", function (event) { notSaved(event, "data-not-saved"); });

  // Put back at once when the new section is in (not after htmx's settling pause), so no keystroke falls between.
  document.addEventListener("htmx:afterSwap", function () {
    var pending = carried || [];
    carried = null;
    pending.forEach(function (entry) {
      var form = document.querySelector('form[action="' + CSS.escape(entry.action) + '"]');
      if (!form) {
        return;
      }
      var details = form.closest("details");
      if (entry.open && details) {
        details.open = true;
      }
      entry.values.forEach(function (typed) {
        var field = form.elements.namedItem(typed.name);
        if (!field || field.length !== undefined && field.tagName !== "SELECT") {
          return; // radio groups and repeated names are left as the server drew them
        }
        if (field.type === "checkbox") {
          field.checked = typed.checked;
        } else if (field.tagName === "SELECT") {
          Array.prototype.forEach.call(field.options, function (o) { o.selected = typed.selected.indexOf(o.value) >= 0; });
        } else {
          field.value = typed.value;
        }
      });
      var focused = entry.focus && form.elements.namedItem(entry.focus.name);
      if (focused && focused.focus) {
        focused.focus({ preventScroll: true });
        if (entry.focus.start !== null && focused.setSelectionRange) {
          try {
            focused.setSelectionRange(entry.focus.start, entry.focus.end);
          } catch (e) { /* a field without a caret (a number input in some browsers) */ }
        }
      }
    });
  });

  document.addEventListener("keydown", function (event) {
    var field = event.target;
    if (event.key !== "Enter" || field.tagName !== "INPUT" || event.isComposing) {
      return;
    }
    var scope = field.closest("[data-enter-clicks]");
    var button = scope && scope.querySelector(scope.getAttribute("data-enter-clicks"));
    if (button) {
      event.preventDefault();
      button.click();
    }
  });
})();
