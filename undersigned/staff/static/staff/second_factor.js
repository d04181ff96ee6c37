// After a security key is added, go on to the page the staff member was going to.
document.addEventListener("otp_webauthn.register_complete", function () {
  var box = document.querySelector("[data-next]");
  window.location.assign(box ? box.dataset.next : "/admin/second-factor/");
});
