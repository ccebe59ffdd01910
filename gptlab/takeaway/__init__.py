"""Take it home: the standalone Python behind a lab's views, and the lab as a Jupyter notebook.

    code.py        a widget's settings (frozen dataclasses) -> its code, from the templates/ files
    notebook.py    a lab's key ideas and its widgets' code -> an .ipynb (nbformat)

Pure Python: no Streamlit (ui/code_view.py shows the code and offers the notebook).
"""
