/* Payment pages: the donation form (a total preview; the server computes the amount charged), the
   replace-card form of a monthly gift, and the 3-D Secure step. Each turns the card into a token. */
(function () {
  "use strict";

  function totalCents(form) {
    var checked = form.querySelector("input[name=amount]:checked");
    if (!checked) return null;
    var cents;
    if (checked.value === "other") {
      var raw = (form.querySelector("[name=custom_amount]").value || "").replace(/[$\s\u00a0]/g, "").replace(",", ".");
      if (!/^\d+(\.\d{1,2})?$/.test(raw)) return null;
      var parts = raw.split(".");
      cents = parseInt(parts[0], 10) * 100 + (parts[1] ? parseInt((parts[1] + "0").slice(0, 2), 10) : 0);
    } else {
      cents = parseInt(checked.value, 10);
    }
    if (form.querySelector("[name=cover_fee]").checked) {
      var percent = parseFloat(form.dataset.feePercent);
      var fixed = parseInt(form.dataset.feeFixed, 10);
      cents = Math.ceil((cents + fixed) / (1 - percent / 100));
    }
    return cents;
  }

  function showTotal(form) {
    var output = document.getElementById("donate-total");
    var cents = totalCents(form);
    if (cents === null) { output.textContent = ""; return; }
    var locale = (form.dataset.locale || "en") + "-CA";
    var text = new Intl.NumberFormat(locale, {style: "currency", currency: form.dataset.currency}).format(cents / 100);
    var monthly = form.querySelector("input[name=frequency]:checked");
    output.textContent = monthly && monthly.value === "monthly" ? form.dataset.perMonth.replace("{amount}", text) : text;
  }

  function setUpCard(form) {
    // Mount the Stripe.js card element; on submit, swap the card for a token and send the form, once.
    var stripe = window.Stripe(form.dataset.publishableKey);
    var card = stripe.elements().create("card");
    card.mount("#card-element");
    var errors = document.getElementById("card-errors");
    var button = form.querySelector("[type=submit]");
    var busy = false;  // from the first submit until the page is left (or the card is refused)
    form.addEventListener("submit", function (event) {
      event.preventDefault();  // a second click, Enter or a resent submit while busy sends nothing more
      if (busy) return;
      busy = true;
      button.disabled = true;
      errors.textContent = "";
      stripe.createToken(card).then(function (result) {
        if (result.error || !result.token) {
          errors.textContent = (result.error && result.error.message) || form.dataset.cardError;
          busy = false;
          button.disabled = false;
          return;
        }
        form.querySelector("[name=card_token]").value = result.token.id;
        HTMLFormElement.prototype.submit.call(form);  // form.submit is the button named "submit"
      });
    });
    window.addEventListener("pageshow", function (event) {
      // Back from the next page (the browser kept this one): the button works again. Sending the
      // same form again finds the gift already started (the server knows the form's key).
      if (!event.persisted) return;
      busy = false;
      button.disabled = false;
    });
  }

  function setUpDonationForm(form) {
    form.addEventListener("input", function () { showTotal(form); });
    form.addEventListener("change", function () { showTotal(form); });
    showTotal(form);
    setUpCard(form);
  }

  function confirmPayment(box) {
    var stripe = window.Stripe(box.dataset.publishableKey);
    stripe.confirmCardPayment(box.dataset.clientSecret).then(function () {
      window.location.assign(box.dataset.returnUrl);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("donate-form");
    if (form) setUpDonationForm(form);
    var cardForm = document.getElementById("card-form");
    if (cardForm) setUpCard(cardForm);
    var box = document.getElementById("confirm-payment");
    if (box) confirmPayment(box);
  });
})();
