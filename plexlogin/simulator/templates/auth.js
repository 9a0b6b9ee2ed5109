(() => {
  // The client passes everything in the fragment, as for app.plex.tv/auth#?clientID=...
  const params = new URLSearchParams(location.hash.replace(/^#\??/, ""));
  const base = document.querySelector("main").dataset.base;
  const code = params.get("code");
  // the sentences come translated in the page's data attributes (pages.py)
  const question = document.getElementById("question");
  const result = document.getElementById("result");
  const product = params.get("context[device][product]");
  const button = document.getElementById("approve");
  if (!code) {
    question.textContent = question.dataset.noCode;
    button.hidden = true;
    return;
  }
  if (product) document.getElementById("product").textContent = product;
  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      const response = await fetch(base + "/_sim/approve", {
        method: "POST",
        headers: {"Content-Type": "application/json"},
        body: JSON.stringify({code}),
      });
      if (response.ok) {
        result.className = "ok";
        // split, not replace: a product name with "$&" in it stays as it is
        result.textContent = product
          ? result.dataset.done.split("{product}").join(product)
          : result.dataset.doneUnnamed;
        const forward = params.get("forwardUrl");
        if (forward && /^https?:\/\//i.test(forward)) location.assign(forward);
      } else {
        result.className = "error";
        result.textContent = result.dataset.expired;
      }
    } catch (error) {
      result.className = "error";
      result.textContent = result.dataset.offline;
      button.disabled = false;
    }
  });
})();
