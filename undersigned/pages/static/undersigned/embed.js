// On a partner's page, beside <iframe data-undersigned-embed src="…/embed/">: let the frame
// grow to its content. It accepts heights only from the frame's own window and origin.
(function () {
  window.addEventListener("message", function (event) {
    var data = event.data;
    if (!data || data.undersigned !== "height" || typeof data.height !== "number") return;
    var frames = document.querySelectorAll("iframe[data-undersigned-embed]");
    for (var i = 0; i < frames.length; i++) {
      var frame = frames[i];
      if (frame.contentWindow === event.source && frame.src.indexOf(event.origin + "/") === 0) {
        frame.style.height = Math.max(200, Math.min(data.height, 4000)) + "px";
      }
    }
  });
})();
