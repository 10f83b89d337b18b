/* The site's only script (the content security policy allows no inline code): progressive
   enhancements that the pages work without. Translated texts come from data-* attributes. */
(function () {
  "use strict";

  // The language selector switches as soon as a language is chosen (without script: the Go button).
  var language = document.getElementById("language");
  if (language) {
    language.addEventListener("change", function () { language.form.submit(); });
  }

  // A category's extra questions: only the chosen category's are shown and sent (the others stay
  // hidden and disabled). Without script the server shows them once the category is posted.
  var category = document.getElementById("id_category");
  var questionSets = document.querySelectorAll("fieldset[data-category]");
  if (category && questionSets.length) {
    var showQuestions = function () {
      Array.prototype.forEach.call(questionSets, function (set) {
        var chosen = set.getAttribute("data-category") === category.value;
        set.hidden = !chosen;
        set.disabled = !chosen;
      });
    };
    category.addEventListener("change", showQuestions);
    showQuestions();
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
