/* consult time-zone picker: a search that narrows the <select> as one types, and the browser's
   own zone offered when it differs. Progressive enhancement: without this file the select is
   the whole list, grouped by country, and works as it is. Nothing is saved until the form is.

   The search folds accents and case ("genè" finds "Genève"), and every word typed must appear
   in the option's label (city, country, offset, in the reader's language) or in what the
   server put in its data-search (the city and country in English, the IANA name, its aliases:
   consult/zones.py). */
(function () {
  "use strict";

  function fold(text) {
    return text.normalize("NFKD").replace(/\p{Mn}/gu, "").toLowerCase();
  }

  function words(text) {
    return fold(text).split(/[\s,]+/).filter(Boolean);
  }

  function place(option) {
    // "Madrid — Spain (UTC+01:00)" -> "Madrid — Spain": the offset is said elsewhere.
    return option.textContent.replace(/\s*\([^()]*\)\s*$/, "");
  }

  function init(picker) {
    if (picker.hasAttribute("data-zone-ready")) return;
    var select = picker.querySelector("select");
    var searchBox = picker.querySelector("[data-zone-search]");
    if (!select || !searchBox) return;
    picker.setAttribute("data-zone-ready", "");
    var input = searchBox.querySelector("input");
    var status = searchBox.querySelector("[role=status]");
    var lang = document.documentElement.lang || "en";
    var plural = window.Intl && Intl.PluralRules ? new Intl.PluralRules(lang) : null;

    // The original order: the options outside any group, then each <optgroup> with its own.
    var entries = [];
    var blocks = [];
    Array.prototype.forEach.call(select.children, function (child) {
      var group = child.tagName === "OPTGROUP" ? child : null;
      var options = group ? Array.prototype.slice.call(group.children) : [child];
      var block = { group: group, entries: [] };
      options.forEach(function (option) {
        var entry = {
          option: option,
          block: block,
          names: (option.getAttribute("data-search") || "").split(" | "),
          text: fold([option.textContent, option.getAttribute("data-search") || "",
            option.value.replace(/_/g, " "), group ? group.label : ""].join(" ")),
        };
        block.entries.push(entry);
        entries.push(entry);
      });
      blocks.push(block);
    });

    // The zone the person chose (saved, or picked from the list): while a search narrows the
    // list the first match shows when the choice is filtered out, and clearing the search
    // brings the choice back.
    var chosen = select.value;
    select.addEventListener("change", function () { chosen = select.value; });

    function show(list, filtering) {
      var current = select.value;
      var kept = new Set(list);
      select.replaceChildren();
      blocks.forEach(function (block) {
        var shown = block.entries.filter(function (e) { return kept.has(e); });
        if (!shown.length) return;
        if (block.group) {
          block.group.replaceChildren.apply(block.group, shown.map(function (e) { return e.option; }));
          select.appendChild(block.group);
        } else {
          shown.forEach(function (e) { select.appendChild(e.option); });
        }
      });
      var has = function (value) { return list.some(function (e) { return e.option.value === value; }); };
      select.value = has(chosen) ? chosen : has(current) ? current : list[0].option.value;
      if (filtering) select.size = Math.min(Math.max(list.length, 2), 8);
      else select.removeAttribute("size");
    }

    function say(template, count) {
      status.textContent = (status.getAttribute(template) || "").replace("{n}", String(count));
    }

    function filter() {
      var typed = words(input.value);
      if (!typed.length) {
        show(entries, false);
        status.textContent = "";
        return;
      }
      var found = entries.filter(function (e) {
        return e.option.value !== "" && typed.every(function (w) { return e.text.indexOf(w) !== -1; });
      });
      if (!found.length) {
        say("data-none", 0); // the list stays as it was: an empty select would submit nothing
        return;
      }
      show(found, true);
      say(plural && plural.select(found.length) === "one" ? "data-one" : "data-other", found.length);
    }

    searchBox.hidden = false;
    input.addEventListener("input", filter);
    input.addEventListener("keydown", function (evt) {
      if (evt.key === "ArrowDown" || evt.key === "Enter") {
        evt.preventDefault(); // Enter here picks from the list, it does not send the form
        select.focus();
      } else if (evt.key === "Escape" && input.value) {
        evt.preventDefault();
        input.value = "";
        filter();
      }
    });

    var offer = picker.querySelector("[data-zone-suggestion]");
    if (!offer || !window.Intl) return;
    var browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (!browserZone) return;
    var spaced = browserZone.replace(/_/g, " ");
    var match = entries.filter(function (e) { return e.option.value === browserZone; })[0] ||
      entries.filter(function (e) { return e.names.indexOf(spaced) !== -1; })[0];
    if (!match || match.option.value === select.value) return;
    var message = offer.querySelector("[data-message]");
    var button = offer.querySelector("button");
    message.textContent = offer.getAttribute("data-text")
      .replace("{zone}", browserZone).replace("{place}", place(match.option));
    offer.hidden = false;
    button.addEventListener("click", function () {
      input.value = "";
      show(entries, false);
      status.textContent = "";
      button.hidden = true;
      message.textContent = offer.getAttribute("data-done").replace("{place}", place(match.option));
      select.value = match.option.value;
      select.dispatchEvent(new Event("change", { bubbles: true }));
      select.focus();
    });
    select.addEventListener("change", function () {
      if (select.value === match.option.value && !button.hidden) offer.hidden = true;
    });
  }

  function initAll(root) {
    (root || document).querySelectorAll("[data-zone-picker]").forEach(init);
  }

  document.addEventListener("DOMContentLoaded", function () { initAll(document); });
  document.addEventListener("htmx:load", function (evt) { initAll(evt.target); });
})();
