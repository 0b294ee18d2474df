/** Tells the navigation that an unread count changed (a ticket was read or answered). */
const EVENT = 'switchboard:unread-changed';

export function notifyUnreadChanged(): void {
  window.dispatchEvent(new Event(EVENT));
}

export function onUnreadChanged(listener: () => void): () => void {
  window.addEventListener(EVENT, listener);
  return () => window.removeEventListener(EVENT, listener);
}
