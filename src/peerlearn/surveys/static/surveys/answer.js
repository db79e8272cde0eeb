/* Save as you go on the survey answering page (progressive enhancement).
 *
 * Without this script the page still works: "Save and continue later" and
 * "Submit" are ordinary form buttons.  With it, every change is posted
 * (debounced) to the autosave address, the reply tells which questions are
 * relevant now and which answers need fixing, and a live region says when
 * the answers were last saved.  Submitting stays a normal form POST.
 */
(function () {
  "use strict";

  var DELAY_MS = 600;

  function start() {
    var form = document.getElementById("answer-form");
    if (!form || !window.fetch || !window.FormData) {
      return;
    }
    var status = document.getElementById("save-status");
    var tokenField = form.querySelector("input[name=csrfmiddlewaretoken]");
    var token = tokenField ? tokenField.value : "";
    var timer = null;
    var inFlight = false;
    var again = false;
    var touched = {};

    function say(text) {
      if (status) {
        status.textContent = text;
      }
    }

    function clock(iso) {
      var when = new Date(iso);
      if (isNaN(when.getTime())) {
        return "";
      }
      var hours = String(when.getHours()).padStart(2, "0");
      var minutes = String(when.getMinutes()).padStart(2, "0");
      return hours + ":" + minutes;
    }

    function showRelevance(relevant) {
      var items = form.querySelectorAll("[data-name]");
      for (var i = 0; i < items.length; i += 1) {
        var name = items[i].getAttribute("data-name");
        if (Object.prototype.hasOwnProperty.call(relevant, name)) {
          items[i].hidden = !relevant[name];
        }
      }
    }

    // Cascading selects: offer only the choices the server's choice_filter
    // kept; a choice that disappears is unticked so it is not sent.
    function showChoices(choices) {
      var options = form.querySelectorAll("[data-choice]");
      for (var i = 0; i < options.length; i += 1) {
        var name = options[i].getAttribute("data-choice");
        if (!Object.prototype.hasOwnProperty.call(choices, name)) {
          continue;
        }
        var input = options[i].tagName === "OPTION" ? options[i] : options[i].querySelector("input");
        var offered = choices[name].indexOf(input.value) !== -1;
        options[i].hidden = !offered;
        input.disabled = !offered;
        if (!offered) {
          input.checked = false;
          input.selected = false;
        }
      }
    }

    // Labels that quote answers (${field}) and read-only values, as the server wrote them.
    function showTexts(texts) {
      var slots = form.querySelectorAll("[data-text]");
      for (var i = 0; i < slots.length; i += 1) {
        var key = slots[i].getAttribute("data-text");
        if (Object.prototype.hasOwnProperty.call(texts, key)) {
          slots[i].textContent = texts[key] || (key.indexOf("value-") === 0 ? "\u2014" : "");
        }
      }
    }

    function showErrors(errors) {
      var slots = form.querySelectorAll("[data-error-for]");
      for (var i = 0; i < slots.length; i += 1) {
        var name = slots[i].getAttribute("data-error-for");
        // Only questions the respondent has changed: no scolding for untouched
        // ones, and errors shown after a refused submit stay until fixed.
        if (!touched[name]) {
          continue;
        }
        var message = errors[name] || "";
        slots[i].textContent = message;
        slots[i].hidden = !message;
        var question = document.getElementById("q-" + name);
        if (question) {
          question.classList.toggle("has-error", Boolean(message));
        }
      }
    }

    function send(keepalive) {
      return fetch(form.getAttribute("data-save-url"), {
        method: "POST",
        body: new FormData(form),
        headers: { "X-CSRFToken": token, Accept: "application/json" },
        credentials: "same-origin",
        keepalive: Boolean(keepalive),
      });
    }

    function save() {
      timer = null;
      if (inFlight) {
        again = true;
        return;
      }
      inFlight = true;
      say(form.getAttribute("data-saving"));
      send(false)
        .then(function (response) {
          return response.json().then(function (data) {
            return { ok: response.ok, data: data };
          });
        })
        .then(function (reply) {
          if (!reply.ok) {
            say(reply.data.message || form.getAttribute("data-failed"));
            return;
          }
          showRelevance(reply.data.relevant || {});
          showChoices(reply.data.choices || {});
          showTexts(reply.data.texts || {});
          showErrors(reply.data.errors || {});
          say(form.getAttribute("data-saved") + " " + clock(reply.data.saved_at));
        })
        .catch(function () {
          say(form.getAttribute("data-failed"));
        })
        .then(function () {
          inFlight = false;
          if (again) {
            again = false;
            save();
          }
        });
    }

    function changed(event) {
      var holder = event.target.closest ? event.target.closest(".question[data-name]") : null;
      if (holder) {
        touched[holder.getAttribute("data-name")] = true;
      }
      if (timer) {
        clearTimeout(timer);
      }
      timer = setTimeout(save, DELAY_MS);
    }

    form.addEventListener("input", changed);
    form.addEventListener("change", changed);

    // Enter in a one-line field must not send the whole survey by accident.
    form.addEventListener("keydown", function (event) {
      var target = event.target;
      if (event.key === "Enter" && target.tagName === "INPUT" && target.type !== "submit") {
        event.preventDefault();
      }
    });

    // The normal submit wins: no autosave may start after it.
    form.addEventListener("submit", function () {
      if (timer) {
        clearTimeout(timer);
        timer = null;
      }
    });

    // Leaving with a change not yet saved: send it on the way out.
    window.addEventListener("pagehide", function () {
      if (timer) {
        clearTimeout(timer);
        timer = null;
        send(true).catch(function () {});
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
