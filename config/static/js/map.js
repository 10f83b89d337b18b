/* The appeal form's map (Leaflet, from our own static files), the category helpers and "is this
   already reported?". Progressive: without script the address and coordinate fields work alone.
   Translated texts come from data-* attributes; the content security policy allows no inline code. */
(function () {
  "use strict";

  var box = document.getElementById("place-map");
  var lat = document.getElementById("id_latitude");
  var lng = document.getElementById("id_longitude");
  var category = document.getElementById("id_category");
  var form = category ? category.form : null;

  function fill(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_, key) { return values[key] === undefined ? "" : values[key]; });
  }
  function query(params) {
    return Object.keys(params).map(function (k) {
      return encodeURIComponent(k) + "=" + encodeURIComponent(params[k]);
    }).join("&");
  }
  function getJSON(url, params) {
    return fetch(url + "?" + query(params), { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        return response.json().then(function (body) { return { status: response.status, body: body }; });
      });
  }
  function csrfToken() {
    var field = form && form.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }
  function pinPoint() {
    var a = parseFloat(lat && lat.value), b = parseFloat(lng && lng.value);
    return isNaN(a) || isNaN(b) ? null : { lat: a, lng: b };
  }

  // ---- the map ---------------------------------------------------------------------------------
  var map = null, marker = null, status = null;
  if (box && lat && lng && window.L) {
    box.hidden = false;
    status = document.getElementById("place-status");
    map = L.map("place-map-canvas", { zoomControl: true, attributionControl: !!box.dataset.tileUrl });
    box.leafletMap = map;  // for the browser tests, which tap at a point
    if (box.dataset.tileUrl) {
      L.tileLayer(box.dataset.tileUrl, { attribution: box.dataset.tileAttribution || "", maxZoom: 19 }).addTo(map);
    }
    map.setView([39.9087, 116.3975], 12);  // replaced by the city's outline once it has loaded
    var streetLabels = [];
    getJSON(box.dataset.boundariesUrl, {}).then(function (answer) {
      var english = (document.documentElement.lang || "").indexOf("en") === 0;
      var layer = L.geoJSON(answer.body, {
        interactive: false,
        style: function (feature) {
          var district = feature.properties.kind === "district";
          return { className: district ? "map-district" : "map-street", weight: district ? 3 : 1, fill: !district,
                   fillOpacity: 0.06 };
        },
        onEachFeature: function (feature, shape) {
          var p = feature.properties;
          var name = english && p.name_en ? p.name_en : p.name;
          var tip = L.tooltip({ permanent: true, direction: "center",
                                className: "map-label map-label-" + p.kind }).setContent(name);
          shape.bindTooltip(tip);
          if (p.kind === "street") { streetLabels.push(shape); }
        }
      }).addTo(map);
      if (layer.getBounds().isValid() && !pinPoint()) { map.fitBounds(layer.getBounds(), { animate: false }); }
      showStreetLabels();
    });
    // Street names only when close enough to read them; district names always.
    var showStreetLabels = function () {
      var close = map.getZoom() >= 14;
      streetLabels.forEach(function (shape) {
        if (close) { shape.openTooltip(); } else { shape.closeTooltip(); }
      });
    };
    map.on("zoomend", showStreetLabels);

    var lookup = 0;
    var checkPlace = function (point) {
      var mine = ++lookup;
      getJSON(box.dataset.atUrl, { lat: point.lat, lng: point.lng, category: category ? category.value : "" })
        .then(function (answer) {
          if (mine !== lookup) { return; }
          if (answer.status === 200) {
            var b = answer.body;
            status.className = "place-status ok";
            status.textContent = fill(box.dataset.handles, { unit: b.handler.name }) + " " +
              fill(box.dataset.street, { street: b.street.name, district: b.district ? b.district.name : "" });
            findNearby();
          } else if (answer.status === 404) {
            // Refused at once: the pin and the coordinates go; the resident picks again.
            status.className = "place-status refused";
            status.textContent = box.dataset.outside;
            if (marker) { map.removeLayer(marker); marker = null; }
            lat.value = ""; lng.value = "";
            lat.dispatchEvent(new Event("input", { bubbles: true }));
            clearNearby();
          } else {
            status.className = "place-status";
            status.textContent = box.dataset.failed;
          }
        }, function () { if (mine === lookup) { status.textContent = box.dataset.failed; } });
    };
    var placePin = function (point, fromMap) {
      if (!marker) {
        marker = L.marker(point, { draggable: true, title: box.dataset.pin, alt: box.dataset.pin, keyboard: true })
          .addTo(map);
        marker.on("dragend", function () { placePin(marker.getLatLng(), true); });
      } else {
        marker.setLatLng(point);
      }
      if (fromMap) {
        lat.value = point.lat.toFixed(6);
        lng.value = point.lng.toFixed(6);
        lat.dispatchEvent(new Event("input", { bubbles: true }));  // the draft keeps it
      }
      checkPlace({ lat: Number(point.lat.toFixed(6)), lng: Number(point.lng.toFixed(6)) });
    };
    map.on("click", function (event) { placePin(event.latlng, true); });
    // Typed coordinates, "use my location" and a restored draft move the pin too.
    var fromFields = function () {
      var point = pinPoint();
      if (point) { placePin(point, false); map.setView(point, Math.max(map.getZoom(), 15)); }
    };
    lat.addEventListener("change", fromFields);
    lng.addEventListener("change", fromFields);
    if (form) { form.addEventListener("change", function (event) { if (event.target === form) { fromFields(); } }); }
    if (category) { category.addEventListener("change", function () { if (marker) { checkPlace(marker.getLatLng()); } }); }
    if (pinPoint()) { fromFields(); }

    // Places by name: each result is a button that moves the pin there.
    var search = document.getElementById("place-search");
    var results = document.getElementById("place-results");
    var runSearch = function () {
      var words = search.value.trim();
      results.textContent = "";
      if (!words) { return; }
      getJSON(box.dataset.searchUrl, { q: words }).then(function (answer) {
        results.textContent = "";
        var places = answer.status === 200 ? answer.body : [];
        if (!places.length) {
          var none = document.createElement("li");
          none.textContent = box.dataset.noPlaces;
          results.appendChild(none);
        }
        places.forEach(function (place) {
          var item = document.createElement("li");
          var choose = document.createElement("button");
          choose.type = "button";
          choose.className = "place-choice";
          choose.textContent = place.name + (place.district ? " · " + place.district.name : "");
          choose.addEventListener("click", function () {
            results.textContent = "";
            map.setView([place.latitude, place.longitude], place.kind === "district" ? 13 : 15);
            placePin(L.latLng(place.latitude, place.longitude), true);
          });
          item.appendChild(choose);
          results.appendChild(item);
        });
      });
    };
    document.getElementById("place-search-go").addEventListener("click", runSearch);
    search.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); runSearch(); }  // not the form's submit
    });
  }

  // ---- "Is this already reported?" ---------------------------------------------------------------
  var nearby = document.getElementById("nearby");
  function clearNearby() {
    if (!nearby) { return; }
    nearby.hidden = true;
    nearby.querySelector(".nearby-list").textContent = "";
  }
  function findNearby() {
    var point = pinPoint();
    if (!nearby || !point || !category || !category.value) { clearNearby(); return; }
    getJSON(nearby.dataset.url, { category: category.value, lat: point.lat, lng: point.lng }).then(function (answer) {
      var list = nearby.querySelector(".nearby-list");
      list.textContent = "";
      var found = answer.status === 200 ? answer.body : [];
      nearby.hidden = !found.length;
      found.forEach(function (appeal) {
        var item = document.createElement("li");
        item.className = "card nearby-appeal";
        var head = document.createElement("p");
        var label = document.createElement("span");
        label.className = "status status-" + appeal.status;
        label.textContent = appeal.status_label;
        head.appendChild(label);
        head.appendChild(document.createTextNode(" " + appeal.category));
        item.appendChild(head);
        var facts = document.createElement("p");
        facts.className = "hint";
        facts.textContent = fill(nearby.dataset.received, {
          date: appeal.received_at.slice(0, 10), distance: appeal.distance_m
        }) + (appeal.followers ? " · " + fill(nearby.dataset.following, { n: appeal.followers }) : "");
        item.appendChild(facts);
        if (appeal.text) {
          var text = document.createElement("p");
          text.className = "nearby-text";
          text.textContent = appeal.text;
          item.appendChild(text);
        }
        var follow = document.createElement("button");
        follow.type = "button";
        follow.className = "follow";
        follow.textContent = nearby.dataset.follow;
        follow.addEventListener("click", function () { followAppeal(appeal, item, follow); });
        item.appendChild(follow);
        list.appendChild(item);
      });
    });
  }
  function followAppeal(appeal, item, button) {
    var phone = document.getElementById("id_contact_phone");
    var email = document.getElementById("id_contact_email");
    var anonymous = document.getElementById("id_anonymous");
    var keep = !(anonymous && anonymous.checked);
    button.disabled = true;
    fetch(nearby.dataset.followUrl, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify({ ref: appeal.ref, contact_phone: keep && phone ? phone.value : "",
                             contact_email: keep && email ? email.value : "" })
    }).then(function (response) {
      return response.json().then(function (body) { return { status: response.status, body: body }; });
    }).then(function (answer) {
      var note = document.createElement("p");
      note.setAttribute("role", "status");
      if (answer.status !== 201) {
        button.disabled = false;
        note.className = "error";
        var errors = answer.body || {};
        var first = Object.keys(errors).map(function (k) { return [].concat(errors[k])[0]; })[0];
        note.textContent = first || nearby.dataset.failed;
        item.appendChild(note);
        return;
      }
      button.hidden = true;
      note.className = "followed";
      note.textContent = fill(nearby.dataset.followed, { number: answer.body.number, code: answer.body.access_code });
      var link = document.createElement("a");
      link.href = nearby.dataset.trackUrl + "?number=" + encodeURIComponent(answer.body.number);
      link.className = "track-followed";
      link.textContent = nearby.dataset.track;
      note.appendChild(document.createTextNode(" "));
      note.appendChild(link);
      item.appendChild(note);
    }, function () { button.disabled = false; });
  }
  if (category && nearby) { category.addEventListener("change", findNearby); }

  // ---- the categories: search them all, or only what the street office handles ------------------
  var filterBox = document.getElementById("category-filter-box");
  if (filterBox && category) {
    filterBox.hidden = false;
    var filter = document.getElementById("category-filter");
    var streetOnly = document.getElementById("category-street-only");
    var options = Array.prototype.slice.call(category.querySelectorAll("option[value]:not([value=''])"));
    var applyFilter = function () {
      var words = filter.value.trim().toLowerCase();
      var shown = 0;
      options.forEach(function (option) {
        var text = (option.textContent + " " + (option.parentNode.label || "")).toLowerCase();
        option.hidden = (words !== "" && text.indexOf(words) === -1) || (streetOnly.checked && !option.dataset.street);
        if (!option.hidden) { shown += 1; }
      });
      Array.prototype.forEach.call(category.querySelectorAll("optgroup"), function (group) {
        group.hidden = !group.querySelector("option:not([hidden])");
      });
      if (words || streetOnly.checked) { category.size = Math.min(Math.max(shown + 1, 2), 8); }
      else { category.removeAttribute("size"); }
    };
    filter.addEventListener("input", applyFilter);
    streetOnly.addEventListener("change", applyFilter);
  }

  // ---- live category suggestions (only when the project serves them) ----------------------------
  var suggestions = document.getElementById("suggestions");
  var text = document.getElementById("id_text");
  if (suggestions && text && category) {
    var choices = suggestions.querySelector(".choices");
    var timer = null, asked = 0;
    var suggest = function () {
      var words = text.value.trim();
      if (words.length < 4) { suggestions.hidden = true; return; }
      var mine = ++asked;
      var address = document.getElementById("id_address");
      getJSON(suggestions.dataset.url, { text: words, address: address ? address.value : "" }).then(function (answer) {
        if (mine !== asked) { return; }
        var found = answer.status === 200 && answer.body ? (answer.body.categories || []) : [];
        choices.textContent = "";
        found.slice(0, 3).forEach(function (item) {
          var option = category.querySelector("option[value='" + (item.code || "").replace(/'/g, "") + "']");
          if (!option) { return; }
          var pick = document.createElement("button");
          pick.type = "button";
          pick.className = "suggestion";
          pick.setAttribute("aria-pressed", category.value === item.code ? "true" : "false");
          pick.textContent = item.label || item.name || option.textContent;
          pick.addEventListener("click", function () {
            category.value = item.code;
            category.dispatchEvent(new Event("change", { bubbles: true }));
            Array.prototype.forEach.call(choices.children, function (b) { b.setAttribute("aria-pressed", "false"); });
            pick.setAttribute("aria-pressed", "true");
          });
          choices.appendChild(pick);
        });
        suggestions.hidden = !choices.children.length;
      }, function () { suggestions.hidden = true; });
    };
    text.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(suggest, 400); });
  }
})();
