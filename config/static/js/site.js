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

  // Unit pickers (dispatch, return, approve): a search box above the grouped list keeps only the
  // units whose name (in either language) or code contains what is typed; Enter picks the first.
  Array.prototype.forEach.call(document.querySelectorAll("select[data-unit-picker]"), function (select) {
    var search = document.createElement("input");
    search.type = "search";
    search.className = "unit-filter";
    search.id = select.id + "-filter";
    search.placeholder = select.dataset.filterLabel;
    search.setAttribute("aria-label", select.dataset.filterLabel);
    search.setAttribute("aria-controls", select.id);
    search.autocomplete = "off";
    select.parentNode.insertBefore(search, select);
    var options = Array.prototype.slice.call(select.querySelectorAll("option[value]:not([value=''])"));

    function matches() {
      var words = search.value.trim().toLowerCase();
      var shown = [];
      options.forEach(function (option) {
        var text = (option.dataset.search || "") + " " + option.textContent.toLowerCase();
        option.hidden = words !== "" && text.indexOf(words) === -1;
        if (!option.hidden) { shown.push(option); }
      });
      Array.prototype.forEach.call(select.querySelectorAll("optgroup"), function (group) {
        group.hidden = !group.querySelector("option:not([hidden])");
      });
      if (words) { select.size = Math.min(Math.max(shown.length + 1, 2), 10); } else { select.removeAttribute("size"); }
      return shown;
    }

    search.addEventListener("input", matches);
    search.addEventListener("keydown", function (event) {
      if (event.key !== "Enter") { return; }
      event.preventDefault();  // not the form's submit: pick the first match
      var shown = matches();
      if (shown.length) { select.value = shown[0].value; select.focus(); }
    });
  });
})();
