# The shop's image: the web servers, the job worker and the scheduler all run it (compose.yaml, README
# "Deployment"). Production settings come from the environment.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 FLASK_APP=wsgi INSTANCE_PATH=/srv/instance
WORKDIR /srv/ocop
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
RUN pybabel -q compile -d translations && pybabel -q compile -d translations -D wtforms
RUN mkdir -p /srv/instance && chown nobody /srv/instance
USER nobody
CMD ["gunicorn", "-w", "4", "-b", "0.0.0.0:8000", "wsgi:app"]
