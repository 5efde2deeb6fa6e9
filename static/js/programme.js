// The programme of work: the "Print the programme" button (shown only where scripts run;
// without them the browser's own Print does the same, with the print stylesheet).
document.addEventListener("DOMContentLoaded", () => {
  for (const button of document.querySelectorAll("[data-print]")) {
    button.hidden = false;
    button.addEventListener("click", () => window.print());
  }
});
