// Asking before what cannot be undone (delete, delete all, revoke, delete the account): the
// page's own modal dialog (<dialog>: focus stays in it, Escape cancels), its words in the page's
// language, Cancel focused first. Focus returns where it was.

const $ = (id) => document.getElementById(id);

/** True if the person confirms `question` with the button `action` (its label), false if not. */
export function ask(question, action) {
  const dialog = $("confirm");
  $("confirm-text").textContent = question;
  $("confirm-ok").textContent = action;
  const back = document.activeElement;
  dialog.returnValue = "";
  dialog.showModal();
  $("confirm-cancel").focus();
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => {
      if (back && back.isConnected) back.focus();
      resolve(dialog.returnValue === "ok");
    }, { once: true });
  });
}
