/* The site's only script (the content security policy allows no inline code): progressive
   enhancements that the pages work without. Translated texts come from data-* attributes. */
(function () {
  "use strict";

  // The language selector switches as soon as a language is chosen (without script: the Go button).
  var language = document.getElementById("language");
  if (language) {
    language.addEventListener("change", function () { language.form.submit(); });
  }

  // "Use my current location" on the appeal form fills in latitude and longitude.
  var locate = document.getElementById("use-location");
  if (locate && navigator.geolocation) {
    var status = document.getElementById("location-status");
    locate.hidden = false;
    locate.addEventListener("click", function () {
      status.textContent = locate.dataset.finding;
      navigator.geolocation.getCurrentPosition(function (pos) {
        document.getElementById("id_latitude").value = pos.coords.latitude.toFixed(6);
        document.getElementById("id_longitude").value = pos.coords.longitude.toFixed(6);
        status.textContent = locate.dataset.found;
      }, function () { status.textContent = locate.dataset.failed; });
    });
  }
})();
