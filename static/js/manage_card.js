/* Replace the card of a monthly gift: mount the Stripe.js card element, make a card token, submit. */
(function () {
  "use strict";

  function setUp(form) {
    var stripe = window.Stripe(form.dataset.publishableKey);
    var card = stripe.elements().create("card");
    card.mount("#card-element");
    var errors = document.getElementById("card-errors");
    var submitting = false;
    form.addEventListener("submit", function (event) {
      if (submitting) return;
      event.preventDefault();
      var button = form.querySelector("[type=submit]");
      button.disabled = true;
      errors.textContent = "";
      stripe.createToken(card).then(function (result) {
        if (result.error || !result.token) {
          errors.textContent = (result.error && result.error.message) || form.dataset.cardError;
          button.disabled = false;
          return;
        }
        form.querySelector("[name=card_token]").value = result.token.id;
        submitting = true;
        HTMLFormElement.prototype.submit.call(form);  // form.submit is the button named "submit"
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("card-form");
    if (form) setUp(form);
  });
})();
