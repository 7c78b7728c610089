// Follow a publication without reloading: fetch the page again every few seconds and put its progress in
// place of this one's; once the release and its files are ready, go to the release. Without scripts the
// page refreshes itself (a refresh meta inside <noscript>).
const region = document.querySelector("[data-publication-progress]");
const POLL_MILLISECONDS = 2000;

function follow(current) {
  if (current.getAttribute("data-finished") === "true") {
    const release = current.getAttribute("data-release-url");
    if (release && !current.querySelector(".govuk-error-summary")) {
      window.location.assign(release);
    }
    return;
  }
  window.setTimeout(async () => {
    let next = current;
    try {
      const response = await fetch(window.location.href, { headers: { Accept: "text/html" } });
      if (response.ok) {
        const page = new DOMParser().parseFromString(await response.text(), "text/html");
        const fresh = page.querySelector("[data-publication-progress]");
        const heading = page.querySelector("h1");
        if (fresh) {
          current.replaceWith(fresh);
          next = fresh;
          if (heading) {
            document.querySelector("h1").textContent = heading.textContent;
            document.title = page.title;
          }
        }
      }
    } catch (error) {
      // A moment without the network: look again at the next turn.
    }
    follow(next);
  }, POLL_MILLISECONDS);
}

if (region) {
  follow(region);
}
