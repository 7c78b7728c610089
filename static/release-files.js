// While a release's files are being built, look again every few seconds, so an evaluator sees them become
// ready without reloading by hand. Runs only where the page marks a build in progress.
const progress = document.querySelector("[data-release-files-building]");
if (progress) {
  const seconds = Number(progress.getAttribute("data-refresh-seconds")) || 5;
  window.setTimeout(() => window.location.reload(), seconds * 1000);
}
