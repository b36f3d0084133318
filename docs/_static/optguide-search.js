/* optguide search results: summaries from the page's article (not the theme's buttons, table
 * of contents or previous/next links), and results with the same title told apart by where
 * they are. Runs on the search page only (where Sphinx's Search object exists). */
(() => {
  const CHROME = [".headerlink", "script", "style", ".sphx-glr-download-link-note",
                  ".sphx-glr-download", ".sphx-glr-signature", ".prev-next-area"];

  const articleText = (htmlString, anchor) => {
    const page = new DOMParser().parseFromString(htmlString, "text/html");
    CHROME.forEach(query => page.querySelectorAll(query).forEach(el => el.remove()));
    const article = page.querySelector("article.bd-article") ||
                    page.querySelector('[role="main"]');
    if (!article) return "";
    if (anchor) {
      try {
        const part = article.querySelector(anchor);
        if (part) return part.textContent;
      } catch (error) { /* an anchor that is not a valid selector: use the whole article */ }
    }
    return article.textContent;
  };

  const where = href => {
    const path = decodeURIComponent(href.split("#")[0].split("?")[0]).replace(/\.html$/, "");
    return path.replace(/\/index$/, "/").replace(/_/g, " ").split("/").filter(Boolean)
      .join(" › ");
  };

  const tellApart = list => {
    const links = Array.from(list.querySelectorAll(":scope > li > a"));
    const counts = {};
    links.forEach(a => { counts[a.textContent] = (counts[a.textContent] || 0) + 1; });
    links.forEach(a => {
      if (counts[a.textContent] > 1 && !a.parentElement.querySelector(".optguide-where")) {
        const span = document.createElement("span");
        span.className = "optguide-where";
        span.textContent = ` (${where(a.getAttribute("href"))})`;
        a.after(span);
      }
    });
  };

  document.addEventListener("DOMContentLoaded", () => {
    if (typeof Search === "undefined" || !document.getElementById("search-results")) return;
    Search.htmlToText = articleText;
    const results = document.getElementById("search-results");
    new MutationObserver(() => results.querySelectorAll("ul").forEach(tellApart))
      .observe(results, {childList: true, subtree: true});
  });
})();
