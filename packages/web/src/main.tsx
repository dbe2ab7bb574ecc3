import { render } from 'preact';
import { App } from './ui/app.js';
import './styles.css';

const root = document.getElementById('app');
if (root !== null) render(<App baseUrl={location.origin} />, root);
