import { createContext } from 'preact';
import { useContext, useLayoutEffect, useState } from 'preact/hooks';
import type { ChatStore } from '../state/chat-store.js';

export const StoreContext = createContext<ChatStore | undefined>(undefined);

/**
 * The app's store; the component re-renders whenever the store changes. It subscribes as soon
 * as it is in the page (a layout effect, not one after the next paint) and renders again if
 * the store changed between its first render and then.
 */
export function useStore(): ChatStore {
  const store = useContext(StoreContext);
  if (store === undefined) throw new Error('useStore needs a StoreContext provider');
  const [, setVersion] = useState(0);
  const rendered = store.version;
  useLayoutEffect(() => {
    const unsubscribe = store.subscribe(() => setVersion((n) => n + 1));
    if (store.version !== rendered) setVersion((n) => n + 1);
    return unsubscribe;
  }, [store]); // once per store: `rendered` is the version its first render showed
  return store;
}
