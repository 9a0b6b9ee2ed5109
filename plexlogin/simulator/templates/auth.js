(() => {
  // The client passes everything in the fragment, as for app.plex.tv/auth#?clientID=...
  const params = new URLSearchParams(location.hash.replace(/^#\??/, ""));
  const base = document.querySelector("main").dataset.base;
  const code = params.get("code");
  const product = params.get("context[device][product]") || "This app";
  const question = document.getElementById("question");
  const result = document.getElementById("result");
  const button = document.getElementById("approve");
  if (!code) {
    question.textContent = "This sign-in link has no code.";
    button.hidden = true;
    return;
  }
  document.getElementById("product").textContent = product;
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
        result.textContent = product + " is signed in. You can close this tab.";
        const forward = params.get("forwardUrl");
        if (forward && /^https?:\/\//i.test(forward)) location.assign(forward);
      } else {
        result.className = "error";
        result.textContent = "This sign-in request has expired or was already approved.";
      }
    } catch (error) {
      result.className = "error";
      result.textContent = "The simulator did not answer.";
      button.disabled = false;
    }
  });
})();
