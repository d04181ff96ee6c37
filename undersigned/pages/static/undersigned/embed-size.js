// Inside an embedded petition: tell the page around the frame how tall it is (only the
// height, nothing else). Without JavaScript the frame keeps the height the partner set.
(function () {
  if (window.parent === window) return;
  var last = 0;
  function report() {
    var height = Math.ceil(document.documentElement.scrollHeight);
    if (height !== last) {
      last = height;
      window.parent.postMessage({ undersigned: "height", height: height }, "*");
    }
  }
  window.addEventListener("load", report);
  window.addEventListener("resize", report);
  document.addEventListener("toggle", report, true);
  setInterval(report, 1000);
})();
