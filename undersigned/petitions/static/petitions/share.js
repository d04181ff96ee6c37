// Progressive enhancement: a copy button for the share link (the link can always be selected by hand).
document.querySelectorAll("[data-copy]").forEach(function (button) {
  if (!navigator.clipboard) return;
  var input = document.querySelector(button.getAttribute("data-copy"));
  button.hidden = false;
  button.addEventListener("click", function () {
    navigator.clipboard.writeText(input.value).then(function () {
      button.textContent = button.getAttribute("data-copied");
    });
  });
  input.addEventListener("focus", function () { input.select(); });
});
