// Mingle: a "Create an account" link under Chainlit's sign-in form (MINGLE_AUTH=password).
// Signing in never creates an account; the link leads to the sign-up page (signup.html).
(function () {
  "use strict";
  function addSignUpLink() {
    if (!/\/login\/?$/.test(window.location.pathname)) return;
    if (document.getElementById("mingle-signup")) return;
    var form = document.querySelector("form");
    if (!form) return;
    var line = document.createElement("p");
    line.id = "mingle-signup";
    line.style.cssText = "margin-top:1.25rem;text-align:center;font-size:0.9rem";
    line.appendChild(document.createTextNode("New to Mingle? "));
    var link = document.createElement("a");
    link.href = "/public/signup.html";
    link.textContent = "Create an account";
    link.style.cssText = "text-decoration:underline;font-weight:600";
    line.appendChild(link);
    form.insertAdjacentElement("afterend", line);
  }
  new MutationObserver(addSignUpLink).observe(document.documentElement, { childList: true, subtree: true });
  addSignUpLink();
})();
