// Card registration through PortOne (issue 18): the portal's payment-methods page, PAYMENT_GATEWAY=portone.
// Loads the vendored PortOne loader (static/vendor/portone/v2.js), asks PortOne to issue a billing key
// for a card (PortOne's window; the card number never reaches us) and posts the key to our view, which
// checks it at PortOne and stores it. No inline script: the page's CSP allows only files.
const root = document.getElementById("portone-card");

if (root) {
  const form = root.querySelector("form");
  const button = root.querySelector("[data-portone-issue]");
  const status = root.querySelector("[data-portone-status]");
  const say = (text) => {
    status.textContent = text || "";
  };

  button.addEventListener("click", async () => {
    button.disabled = true;
    say(root.dataset.msgWorking);
    try {
      const PortOne = await import(root.dataset.sdkUrl);
      const response = await PortOne.requestIssueBillingKey({
        storeId: root.dataset.storeId,
        channelKey: root.dataset.channelKey,
        billingKeyMethod: "CARD",
        issueId: `${root.dataset.customerId}-${Date.now()}`,
        issueName: root.dataset.issueName,
        customer: { customerId: root.dataset.customerId },
      });
      if (!response || response.code !== undefined || !response.billingKey) {
        // Closed by the customer or refused by the PG: PortOne's message says which.
        say((response && response.message) || root.dataset.msgFailed);
        button.disabled = false;
        return;
      }
      form.elements.billing_key.value = response.billingKey;
      form.submit();
    } catch (error) {
      say(root.dataset.msgFailed);
      button.disabled = false;
    }
  });
}
