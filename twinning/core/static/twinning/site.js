// Small behaviours, kept out of the pages so the Content-Security-Policy can forbid inline scripts:
// <select data-autosubmit> submits its form on change; <form data-confirm="Question?"> asks before submitting.
document.addEventListener("change", function (event) {
  if (event.target.matches("select[data-autosubmit]") && event.target.form) {
    event.target.form.submit();
  }
});
document.addEventListener("submit", function (event) {
  var question = event.target.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});
// After htmx swaps part of a page in place, a confirmation it carries (<p class="confirm" role="status">, say
// "Decision recorded" on a round's pair) is scrolled into view if it ended up above or below the screen.
document.addEventListener("htmx:afterSettle", function (event) {
  var root = event.target && event.target.querySelector ? event.target : document;
  var status = root.querySelector(".confirm[role=status]") || document.querySelector(".confirm[role=status]");
  if (status) {
    status.scrollIntoView({ block: "nearest" });
  }
});
