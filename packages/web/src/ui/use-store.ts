import { createContext } from 'preact';
import { useContext, useEffect, useState } from 'preact/hooks';
import type { ChatStore } from '../state/chat-store.js';

export const StoreContext = createContext<ChatStore | undefined>(undefined);

/** The app's store; the component re-renders whenever the store changes. */
export function useStore(): ChatStore {
  const store = useContext(StoreContext);
  if (store === undefined) throw new Error('useStore needs a StoreContext provider');
  const [, setVersion] = useState(0);
  useEffect(() => store.subscribe(() => setVersion((n) => n + 1)), [store]);
  return store;
}
