import { render } from 'solid-js/web';
import { App } from './App.tsx';
import './styles/app.css';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element.');
render(() => <App />, root);
