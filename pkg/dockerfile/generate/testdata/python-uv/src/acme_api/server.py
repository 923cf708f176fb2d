import uvicorn

def main():
    uvicorn.run("acme_api.app:app", host="0.0.0.0", port=8000)
