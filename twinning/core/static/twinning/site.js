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
